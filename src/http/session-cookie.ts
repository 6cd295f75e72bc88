import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config';

export function setSessionCookie(c: Context, config: Config, token: string) {
  setCookie(c, config.session.cookieName, token, {
    httpOnly: true,
    secure: config.session.secureCookie,
    sameSite: 'Lax',
    path: '/',
    maxAge: config.session.ttlSeconds,
  });
}

export function clearSessionCookie(c: Context, config: Config) {
  deleteCookie(c, config.session.cookieName, {
    httpOnly: true,
    secure: config.session.secureCookie,
    sameSite: 'Lax',
    path: '/',
  });
}
