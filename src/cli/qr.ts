import qrcode from 'qrcode-generator';

const QUIET_ZONE = 2;

/**
 * A QR code in the terminal: two modules per character with the half-block glyphs, plus the
 * quiet zone. Light modules are drawn as blocks and dark ones as the background, which is a
 * normal code on a dark terminal; on a light one it comes out inverted, which the common
 * scanners also read. The secret is printed next to it for those that do not.
 */
export function terminalQr(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const size = qr.getModuleCount();
  const light = (row: number, col: number) =>
    row < 0 || col < 0 || row >= size || col >= size || !qr.isDark(row, col);
  const lines: string[] = [];
  for (let row = -QUIET_ZONE; row < size + QUIET_ZONE; row += 2) {
    let line = '';
    for (let col = -QUIET_ZONE; col < size + QUIET_ZONE; col++) {
      const top = light(row, col);
      const bottom = light(row + 1, col);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n');
}
