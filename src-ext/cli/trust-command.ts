import { createInterface } from "node:readline/promises";
import type { Engine } from "../engine.ts";
import type { TrustStatus } from "../protocol/api.ts";

/** The trust prompt: each thing the repository would run, what it does, and whether it is trusted. */
export function describeTrust(status: TrustStatus): string {
  if (status.items.length === 0) return `${status.repo} brings no code of its own to run: nothing to trust.`;
  const lines = [
    status.trusted
      ? `You trust what ${status.repo} runs:`
      : `${status.repo} would run code of its own${status.changed ? " (changed since you trusted it)" : ""}. Trust it only if you trust its authors:`,
  ];
  for (const item of status.items) {
    const replaces = item.overrides ? ` (REPLACES the built-in ${item.overrides})` : "";
    lines.push(`  ${item.trusted ? "trusted  " : "UNTRUSTED"} ${item.path}: ${item.what}${replaces}`);
  }
  return lines.join("\n");
}

/**
 * `dispatch trust [--yes]`: shows what the repository would run, and trusts exactly that content
 * when the user says yes (at the prompt, or with --yes). `dispatch untrust` takes it back.
 */
export async function trustCommand(engine: Engine, options: { yes: boolean; json: boolean; revoke: boolean }): Promise<number> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (options.revoke) {
    const status = engine.untrustRepo();
    out(
      options.json
        ? JSON.stringify(status, null, 2)
        : `no longer trusting ${status.repo}: its own modes, agent.command and Claude project files are left out`,
    );
    return 0;
  }
  const status = engine.trustStatus();
  if (options.json && !options.yes) {
    out(JSON.stringify(status, null, 2));
    return 0;
  }
  out(describeTrust(status));
  if (status.trusted) return 0;
  let yes = options.yes;
  if (!yes) {
    if (!process.stdin.isTTY) {
      process.stderr.write("dispatch: nothing trusted: run `dispatch trust --yes` to trust exactly this content\n");
      return 1;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    yes = /^y(es)?$/i.test((await rl.question("Trust this exact content? [y/N] ")).trim());
    rl.close();
  }
  if (!yes) {
    out("nothing trusted");
    return 1;
  }
  const trusted = engine.trustRepo(status.fingerprint);
  out(
    options.json
      ? JSON.stringify(trusted, null, 2)
      : `trusted: ${trusted.items.length} item(s) of ${trusted.repo}, recorded in ${trusted.file}`,
  );
  return 0;
}
