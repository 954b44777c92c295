import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a state-changing request may have come from another site's page: its Origin header (sent
 * by browsers with every cross-site POST) names neither this host nor PUBLIC_URL. A request without
 * Origin (curl, older clients) is not refused here; pages that need more add a token of their own
 * (the operator's view does, src/server/admin/form-seal.ts).
 */
export function fromOtherSite(headers: IncomingHttpHeaders, publicUrl: string): boolean {
  const origin = headers.origin;
  if (!origin) return false;
  try {
    const url = new URL(origin);
    return !(url.host === headers.host || url.origin === new URL(publicUrl).origin);
  } catch {
    return true;
  }
}
