import type { TestApp } from './test-app';

export interface CallOptions {
  body?: unknown;
  /** Session token sent as the cookie. */
  cookie?: string;
  /** Token sent as Authorization: Bearer. */
  bearer?: string;
  ip?: string;
  origin?: string;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  /** The session token the response set, if any. */
  setToken?: string;
}

/** JSON request helper for in-process calls. Cookie requests send an allowed Origin by default. */
export async function call<T = any>(
  t: TestApp,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.cookie) headers.cookie = `${t.config.session.cookieName}=${options.cookie}`;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  if (options.origin !== undefined) headers.origin = options.origin;
  else if (options.cookie && unsafe) headers.origin = t.config.appUrl;
  const res = await t.request(path, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    ip: options.ip,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return {
    status: res.status,
    body,
    headers: res.headers,
    setToken: sessionTokenFrom(res.headers, t.config.session.cookieName),
  };
}

export function sessionTokenFrom(headers: Headers, cookieName: string): string | undefined {
  for (const cookie of headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const [name, value] = (pair ?? '').split('=');
    if (name === cookieName && value) return value;
  }
  return undefined;
}
