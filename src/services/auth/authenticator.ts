import { andThen, type MaybePromise } from '../../lib/maybe-promise';
import type { SessionService } from '../sessions/session-service';
import type { AuthContext } from './types';

/** One way of turning a presented token into an AuthContext (session, PAT, JWT …). */
export interface CredentialResolver {
  /** Cheap shape test: no I/O. */
  accepts(token: string): boolean;
  /** A plain value when the answer is in memory, a promise when it needs I/O. */
  resolve(token: string, via: AuthContext['via']): MaybePromise<AuthContext | null>;
}

export function sessionResolver({ sessions }: { sessions: SessionService }): CredentialResolver {
  return {
    accepts: (token) => token.length === 43,
    resolve: (token, via) =>
      andThen(sessions.resolve(token), (found) =>
        found ? { ...found, kind: 'session' as const, via } : null,
      ),
  };
}

export interface AuthenticatorDeps {
  resolvers: CredentialResolver[];
}

/** Every credential type goes through here, so every protected route accepts all of them. */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  add(resolver: CredentialResolver) {
    this.deps.resolvers.push(resolver);
  }

  authenticate(token: string, via: AuthContext['via']): MaybePromise<AuthContext | null> {
    if (token.length === 0 || token.length > 4096) return null;
    for (const resolver of this.deps.resolvers) {
      if (resolver.accepts(token)) return resolver.resolve(token, via);
    }
    return null;
  }
}
