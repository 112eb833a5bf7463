import { randomBytes } from "node:crypto";

/**
 * A browser is opened with a one-time code, never with the token: the command line of `xdg-open`
 * is readable by every local user (`ps`), and an address lands in the browser's history. The code
 * goes into a private file (0600) that redirects (Jupyter's way), and buys the token's cookie once.
 */

/** Long enough for a browser's cold start; a link that was not opened by then is worth nothing. */
export const CODE_TTL_MS = 120_000;

export class SignInCodes {
  private codes = new Map<string, { expires: number; used: () => void }>();

  /** A fresh code, valid once within CODE_TTL_MS; `used` is told when it is spent or expires. */
  issue(used: () => void = () => {}): string {
    const code = randomBytes(24).toString("hex");
    this.codes.set(code, { expires: Date.now() + CODE_TTL_MS, used });
    setTimeout(() => this.spend(code), CODE_TTL_MS).unref();
    return code;
  }

  /** True once per valid code. */
  redeem(code: string): boolean {
    const entry = this.codes.get(code);
    this.spend(code);
    return entry !== undefined && entry.expires > Date.now();
  }

  private spend(code: string): void {
    const entry = this.codes.get(code);
    if (!entry) return;
    this.codes.delete(code);
    entry.used();
  }
}

/** The private page that sends the browser to the sign-in address: what the opener is given. */
export function signInPage(url: string): string {
  const escaped = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return `<!doctype html><meta charset="utf-8"><title>Dispatch</title>
<meta http-equiv="refresh" content="0;url=${escaped}">
<p>Opening Dispatch… (<a href="${escaped}">continue</a>)</p>
`;
}
