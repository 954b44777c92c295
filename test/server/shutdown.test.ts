import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testRuntime } from '../support/harness.js';

describe('when the bot shuts down while a client holds a request open', () => {
  it('stops anyway and closes that connection, instead of waiting for the client (or a header timeout)', async () => {
    const runtime = await testRuntime();
    const port = await runtime.listen(0);
    // Half a request: the server counts the connection as busy, so a plain server.close() waits for it.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /web/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

    await runtime.stop();

    await socketClosed;
    expect(socket.destroyed).toBe(true);
  });
});
