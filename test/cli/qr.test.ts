import { describe, expect, test } from 'bun:test';
import jsQR from 'jsqr';
import { terminalQr } from '../../src/cli/qr';

/**
 * The terminal QR code, read back by an independent decoder (jsQR) from a picture of the
 * characters: a light cell as a light pixel block, as a dark terminal shows it.
 */

const SCALE = 6;

function picture(text: string, invert = false) {
  const lines = text.split('\n');
  const width = lines[0]!.length * SCALE;
  const height = lines.length * 2 * SCALE;
  const pixels = new Uint8ClampedArray(width * height * 4);
  lines.forEach((line, row) => {
    [...line].forEach((ch, col) => {
      const top = ch === '█' || ch === '▀';
      const bottom = ch === '█' || ch === '▄';
      for (let dy = 0; dy < 2 * SCALE; dy++) {
        const light = (dy < SCALE ? top : bottom) !== invert;
        for (let dx = 0; dx < SCALE; dx++) {
          const at = ((row * 2 * SCALE + dy) * width + col * SCALE + dx) * 4;
          pixels.fill(light ? 255 : 0, at, at + 3);
          pixels[at + 3] = 255;
        }
      }
    });
  });
  return { pixels, width, height };
}

describe('terminalQr', () => {
  const uri =
    'otpauth://totp/Kubegram:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Kubegram&algorithm=SHA1&digits=6&period=30';

  test('decodes to the otpauth URI on a dark terminal (normal polarity)', () => {
    const { pixels, width, height } = picture(terminalQr(uri));
    const read = jsQR(pixels, width, height, { inversionAttempts: 'dontInvert' });
    expect(read?.data).toBe(uri);
  });

  test('and on a light terminal, where it shows inverted', () => {
    const { pixels, width, height } = picture(terminalQr(uri), true);
    expect(jsQR(pixels, width, height, { inversionAttempts: 'dontInvert' })).toBeNull();
    // ('onlyInvert' crashes in jsQR 1.4; 'attemptBoth' gets there after the normal pass.)
    expect(jsQR(pixels, width, height, { inversionAttempts: 'attemptBoth' })?.data).toBe(uri);
  });

  test('uses only half blocks and spaces, with a quiet zone around the code', () => {
    const lines = terminalQr('hello').split('\n');
    for (const line of lines) expect(line).toMatch(/^[█▀▄ ]+$/);
    expect(lines[0]).toMatch(/^█+$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
