import { existsSync } from "node:fs";
import { join } from "node:path";
import { shellWord } from "../proc/shell-word.ts";
import type { LaunchSpec } from "./launch-spec.ts";

/** The launcher (launcher.sh): a POSIX shell script, beside this file in the sources and in a release bundle. */
export const LAUNCHER = join(import.meta.dir, "launcher.sh");
/** The shell that runs it: POSIX `sh` (dash on Debian, about 1 MB waiting on a child). */
export const SHELL = existsSync("/bin/sh") ? "/bin/sh" : "sh";

/** The launcher's argv for a run: the spec's path names the run (probe.ts matches a launcher by it). */
export function launcherArgv(specPath: string): string[] {
  return [SHELL, LAUNCHER, specPath];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The launcher's own variables, and the shell's: an agent variable by one of these names would change what it does. */
const RESERVED = new Set(["PID_FILE", "EXIT_FILE", "EXIT_FALLBACK", "INPUT", "TIMEOUT", "IFS", "PS4", "ENV"]);

/**
 * The script launcher.sh reads (`specs/<run>.sh`): its settings and the agent's environment as
 * assignments, its argv as `set --`, every value a single-quoted literal (shellWord: inside single
 * quotes nothing but the quote itself is special, and that one is closed, escaped and reopened),
 * so the shell reads each as the bytes it is and runs none of them. `input`: the file the agent
 * reads as stdin (a headless run's prompt), or null for the pane's terminal.
 */
export function launchScript(spec: LaunchSpec, input: string | null): string {
  const lines = [
    "# Written by Dispatch for launcher.sh: values only, each one quoted.",
    `PID_FILE=${shellWord(spec.pidFile)}`,
    `EXIT_FILE=${shellWord(spec.exitFile)}`,
    `EXIT_FALLBACK=${shellWord(spec.exitFallback)}`,
    `INPUT=${input === null ? "''" : shellWord(input)}`,
    `TIMEOUT=${spec.timeoutSeconds ?? 0}`,
  ];
  for (const [key, value] of Object.entries(spec.env)) {
    if (!NAME.test(key)) throw new Error(`environment variable name ${JSON.stringify(key)} is not a name`);
    if (RESERVED.has(key)) throw new Error(`environment variable ${key} is the launcher's own`);
    lines.push(`export ${key}=${shellWord(value)}`);
  }
  lines.push(`set -- ${spec.argv.map(shellWord).join(" ")}`);
  return `${lines.join("\n")}\n`;
}
