// Tenant resolution from X-Scope-OrgID: with auth disabled everything is tenant `fake`; with auth
// enabled a missing header is a 401 `no org id`, as Loki's auth middleware answers.
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../model/errors.js';

export const DEFAULT_TENANT = 'fake';
const MAX_TENANT_LENGTH = 150;
const TENANT_RE = /^[a-zA-Z0-9!\-_.*'()]+$/;

export function resolveTenant(req: FastifyRequest, authEnabled: boolean): string {
  if (!authEnabled) return DEFAULT_TENANT;
  const raw = req.headers['x-scope-orgid'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) throw new UnauthorizedError('no org id');
  const ids = value.split('|');
  if (ids.length > 1) throw new UnauthorizedError('multiple org IDs present');
  const id = ids[0];
  if (id.length > MAX_TENANT_LENGTH) throw new UnauthorizedError(`tenant ID is too long: max ${MAX_TENANT_LENGTH} characters`);
  if (!TENANT_RE.test(id) || id === '.' || id === '..') throw new UnauthorizedError(`tenant ID '${id}' contains unsupported character`);
  return id;
}
