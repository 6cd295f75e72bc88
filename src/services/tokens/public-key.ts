import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ValidationError } from '../../lib/errors';

export type CertificateAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface ParsedPublicKey {
  alg: CertificateAlgorithm;
  jwk: JWK;
  fingerprint: string;
}

const refuse = (message: string) => {
  throw new ValidationError(message, [{ path: 'publicKey', message }]);
};

/**
 * A company's uploaded public key, as PEM (SPKI "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY", or an
 * X.509 certificate) or as a JWK. Only RSA ≥ 2048 bits, EC P-256 and Ed25519 are accepted, and
 * anything holding private material is refused outright (it should never leave its owner).
 */
export async function parsePublicKey(input: {
  pem?: string;
  jwk?: unknown;
}): Promise<ParsedPublicKey> {
  let key: KeyObject;
  if (input.pem !== undefined) {
    if (/PRIVATE KEY/.test(input.pem)) {
      return refuse('That is a private key. Upload the public key only; keep the private key.');
    }
    try {
      key = createPublicKey({ key: input.pem, format: 'pem' });
    } catch {
      return refuse('Not a readable PEM public key or certificate');
    }
  } else if (input.jwk !== undefined) {
    const jwk = input.jwk as Record<string, unknown>;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      return refuse('The JWK must be a JSON object');
    }
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((f) => f in jwk)) {
      return refuse('That JWK holds private material. Upload the public key only.');
    }
    try {
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      return refuse('Not a usable public JWK');
    }
  } else {
    return refuse('Give publicKey (PEM) or jwk');
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  let alg: CertificateAlgorithm;
  if (type === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) {
      return refuse(`RSA keys need at least 2048 bits (this one has ${details.modulusLength})`);
    }
    alg = 'RS256';
  } else if (type === 'ec') {
    if (details.namedCurve !== 'prime256v1') {
      return refuse(`Only the P-256 curve is accepted for EC keys (got ${details.namedCurve})`);
    }
    alg = 'ES256';
  } else if (type === 'ed25519') {
    alg = 'EdDSA';
  } else {
    return refuse(`Unsupported key type ${type}: use RSA (≥ 2048 bits), EC P-256 or Ed25519`);
  }
  const exported = key.export({ format: 'jwk' }) as JWK;
  const jwk: JWK = Object.fromEntries(
    Object.entries(exported).filter(([k]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(k)),
  );
  return { alg, jwk, fingerprint: await calculateJwkThumbprint(jwk) };
}
