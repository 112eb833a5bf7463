import { DispatchError } from "../errors.ts";

export type Parsed = { positionals: string[]; flags: Map<string, string | true> };

/**
 * Splits the CLI's own flags from everything else. `known` flags may appear anywhere before a
 * `--`; any other `--x` is an extra for the agent. After `--`, everything is an extra.
 */
export function parseArgs(argv: string[], known: Record<string, "bool" | "value">): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const [name, inline] = arg.startsWith("--") ? splitOnce(arg) : [arg, undefined];
    const kind = known[name];
    if (!kind) {
      positionals.push(arg);
      continue;
    }
    if (kind === "bool") {
      if (inline !== undefined) throw new DispatchError("invalid_request", `${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new DispatchError("invalid_request", `${name} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

function splitOnce(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

export function expectCount(positionals: string[], count: number, usage: string): void {
  if (positionals.length !== count) throw new DispatchError("invalid_request", `usage: ${usage}`);
}
