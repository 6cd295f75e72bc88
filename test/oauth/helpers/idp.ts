import { createServer, type Server } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from '../../helpers/private-redis';

/** How the IdP misbehaves, for attack tests. `undefined` means it behaves. */
export type IdpMode =
  | undefined
  | {
      kind: 'tamper-id-token';
      claims?: Record<string, unknown>;
      sign: 'genuine' | 'unknown-key' | 'none';
    }
  | { kind: 'hang'; path: string }
  | { kind: 'huge'; path: string };

export interface Idp {
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  mode: IdpMode;
  /** Per-login claim overrides (email, email_verified, name …). */
  accounts: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export const IDP_CLIENT_SECRET = 'idp-test-client-secret-0123456789abcdef';

/**
 * A real OpenID provider (`oidc-provider`, the certified implementation) on a loopback port,
 * with its development login and consent forms. A Koa middleware lets tests make it misbehave
 * (forge the ID token, hang, send an oversized document) without touching our code.
 */
export async function startIdp(options: {
  redirectUris: string[];
  clientId?: string;
}): Promise<Idp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = {
    ...(await exportJWK(privateKey)),
    kid: 'genuine-key',
    alg: 'RS256',
    use: 'sig',
  };
  const stranger = (await generateKeyPair('RS256', { extractable: true })).privateKey;
  const clientId = options.clientId ?? 'kubegram-test';
  const accounts = new Map<string, Record<string, unknown>>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: IDP_CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['idp-test-cookie-key-aaaaaaaaaaaaaaaaaaaaaaaa'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'picture'],
    },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: `${id}@example.com`,
            email_verified: true,
            name: `Person ${id}`,
            preferred_username: id,
            ...accounts.get(id),
          };
        },
      };
    },
  } as never);
  provider.proxy = false;

  const idp: Idp = {
    issuer,
    port,
    clientId,
    clientSecret: IDP_CLIENT_SECRET,
    mode: undefined,
    accounts,
    close: async () => {},
  };

  provider.use(async (ctx: any, next: () => Promise<void>) => {
    const mode = idp.mode;
    if (mode?.kind === 'hang' && ctx.path === mode.path) {
      await new Promise(() => {});
    }
    if (mode?.kind === 'huge' && ctx.path === mode.path) {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ padding: 'x'.repeat(4 * 1024 * 1024) });
      return;
    }
    await next();
    if (mode?.kind === 'tamper-id-token' && ctx.path === '/token' && ctx.body?.id_token) {
      const claims = { ...decodeJwt(ctx.body.id_token), ...mode.claims };
      if (mode.sign === 'none') {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        ctx.body = { ...ctx.body, id_token: `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.` };
      } else {
        const key = mode.sign === 'genuine' ? privateKey : stranger;
        const token = await new SignJWT(claims as never)
          .setProtectedHeader({ alg: 'RS256', kid: 'genuine-key' })
          .sign(key);
        ctx.body = { ...ctx.body, id_token: token };
      }
    }
  });

  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  idp.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return idp;
}
