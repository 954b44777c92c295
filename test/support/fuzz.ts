import fc from 'fast-check';

/**
 * Generators of hostile input for the adapters' fuzz tests: random and malformed commands, form
 * values and whole payloads. Seeded, so a failure can be replayed.
 */
const nasty = fc.constantFrom(
  '', ' ', '\u0000', '\n\n', '/lc', '/lc ', '/lc\t\thelp', 'lc', '/LC HELP', '/lc help '.repeat(50), '<script>alert(1)</script>',
  "'; DROP TABLE \"Person\"; --", '{{constructor.constructor("x")()}}', '${process.exit()}', '\u202e\u202d', '🙂'.repeat(300),
  'x'.repeat(4001), '/lc ' + 'a'.repeat(10_000), '%00%0d%0a', '../../etc/passwd', 'null', 'undefined', '[object Object]',
);

export const commandText = fc.oneof(
  nasty,
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 60 }).map((s) => `/lc ${s}`),
  fc.tuple(fc.constantFrom('help', 'me', 'hlep', 'create', 'timeline', 'plan', 'join', 'forget-me', 'status'), fc.string({ maxLength: 80 })).map(([v, a]) => `/lc ${v} ${a}`),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);

export const formValues = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('__proto__', 'constructor', 'name', 'deadline', 'capacity')),
  fc.oneof(fc.string({ maxLength: 300 }), nasty, fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 })),
  { maxKeys: 8 },
);

export const actionId = fc.oneof(
  fc.constantFrom('cmd', 'help:x', 'me:x', 'plan:edit', 'nope:nope', ':', '', 'cmd:'.repeat(30)),
  fc.string({ maxLength: 60 }),
);

/** Anything at all as a JSON body, including wrong shapes for every field. */
export const anyJson = fc.jsonValue({ maxDepth: 4 });
