import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { buildMessage } from '../../src/clients/mail/smtp';
import { call } from '../helpers/http';
import { freePort } from '../helpers/private-redis';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { type FakeSmtp, startFakeSmtp } from './smtp-server';

// Seeding tenants through the API takes a while on a loaded 2-core machine.
setDefaultTimeout(60_000);

let smtp: FakeSmtp;
let t: TestApp;
let owner: SeededUser;
let companyId: string;
const V1 = '/api/public/v1';

beforeAll(async () => {
  smtp = await startFakeSmtp();
  t = await createTestApp({
    env: {
      SMTP_URL: `smtp://mailer:s%40cret@127.0.0.1:${smtp.port}`,
      SMTP_FROM: 'noreply@kubegram.test',
    },
  });
  await createUser(t);
  owner = await createUser(t);
  const c = await call(t, 'POST', `${V1}/companies`, {
    bearer: owner.token,
    body: { name: 'Mailco' },
  });
  companyId = c.body.data.id;
}, 30_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const invite = (app: TestApp, email: string) =>
  call(app, 'POST', `${V1}/companies/${companyId}/members`, {
    bearer: owner.token,
    body: { email, role: 'member' },
  });

describe('invitation email (SMTP_URL)', () => {
  test('the invitation is mailed to the invitee with the acceptance link', async () => {
    const res = await invite(t, 'new.person@example.com');
    expect(res.status).toBe(201);
    expect(res.body.data.emailSent).toBe(true);
    const mail = smtp.received.at(-1)!;
    expect(mail.auth).toBe('\0mailer\0s@cret');
    expect(mail.from).toBe('noreply@kubegram.test');
    expect(mail.to).toEqual(['new.person@example.com']);
    expect(mail.data).toContain('Subject: You are invited to Kubegram');
    expect(mail.data).toContain(res.body.data.acceptUrl);
  });

  test('a refusing mail server does not lose the invitation', async () => {
    smtp.rcptCode = 550;
    try {
      const res = await invite(t, 'bounce@example.com');
      expect(res.status).toBe(201);
      expect(res.body.data.emailSent).toBe(false);
      expect(res.body.data.acceptUrl).toContain('/invitations/');
      expect(JSON.stringify(res.body)).not.toContain('no such user');
    } finally {
      smtp.rcptCode = 250;
    }
  });

  test('no mail server listening: answered promptly, emailSent false', async () => {
    const port = await freePort();
    const other = await createTestApp({
      database: t.database,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
    });
    try {
      const started = performance.now();
      const res = await invite(other, 'nobody@example.com');
      expect(res.status).toBe(201);
      expect(res.body.data.emailSent).toBe(false);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await other.instance.stop();
      await other.store.close();
    }
  });

  test('headers cannot be injected and lines starting with a dot are stuffed', () => {
    const raw = buildMessage(
      'a@b.c',
      { to: 'x@y.z\r\nBcc: evil@example.com', subject: 'Hi\nX-Evil: 1', text: 'line\n.hidden\n.' },
      new Date(0),
    );
    expect(raw).not.toMatch(/\r\nBcc:/);
    expect(raw).not.toMatch(/\r\nX-Evil:/);
    expect(raw).toContain('\r\n..hidden\r\n..');
  });

  test('SMTP_URL must be an smtp(s) URL', async () => {
    const { loadConfig } = await import('../../src/config');
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'http://example.com' })).toThrow(
      'SMTP_URL',
    );
  });
});
