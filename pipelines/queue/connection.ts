import type { ConnectionOptions } from 'bullmq';
import { AttendError } from '../../src/errors.js';

/** The URL with any password replaced, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.username && !parsed.password) parsed.username = '***';
    return parsed.toString();
  } catch {
    return '<unparseable queue URL>';
  }
}

/**
 * redis://[user:password@]host[:port][/db] or rediss:// (TLS) -> ioredis options. BullMQ needs
 * `maxRetriesPerRequest: null` on worker connections (blocking commands must not time out).
 */
export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttendError(`--queue: ${redactUrl(url)} is not a URL (redis://host:port/db)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new AttendError(`--queue: ${redactUrl(url)} is not a redis:// or rediss:// URL`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db))
    throw new AttendError(`--queue: database '${db}' in ${redactUrl(url)} is not a number`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
    maxRetriesPerRequest: null,
    // Fail fast with a clear message instead of retrying forever when Redis is not there.
    retryStrategy: (times: number) => (times > 5 ? null : Math.min(times * 200, 1000)),
  };
}

/** Queue names become Redis keys: keep them to safe characters. */
export function queueName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name))
    throw new AttendError(`--name: '${name}' must be 1-100 letters, digits, '_', '.' or '-'`);
  return name;
}

/** Every key attend puts in Redis starts with this. */
export const PREFIX = 'attend';
