import type { Request, Response, NextFunction } from 'express';
import { sameSecret } from '../core/same-secret.js';

/**
 * The one check in front of every operator page (/admin, /admin/queues): ADMIN_TOKEN as a Bearer
 * token or as the password of HTTP Basic auth (browsers prompt once; one realm, so the same login
 * opens both pages). Compared in constant time.
 */
export function requireAdminToken(token: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    let given = '';
    if (header.startsWith('Bearer ')) given = header.slice(7);
    else if (header.startsWith('Basic ')) given = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':');
    if (sameSecret(given, token)) return next();
    res.status(401).set('WWW-Authenticate', 'Basic realm="Cluster Bot admin"').type('text').send('The admin token is required.');
  };
}
