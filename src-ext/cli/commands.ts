/** The `dispatch` CLI's commands: thin, parse argv, call the engine, print. */
import { existsSync } from "node:fs";
import { loadConfig } from "../config.ts";
import { checkNames, Engine, VERSION } from "../engine.ts";
import { DispatchError } from "../errors.ts";
import type { ModeInfo } from "../protocol/api.ts";
import { visible } from "../protocol/describe.ts";
import { appCommand, runtimePath } from "./app-command.ts";
import { expectCount, parseArgs } from "./args.ts";
import { describeStatus, runRows, stateText, table } from "./format.ts";
import { HELP } from "./help.ts";
import { attachCommand, printLog, runCommand } from "./run-command.ts";
import { serveCommand } from "./serve-command.ts";
import { trustCommand } from "./trust-command.ts";
import { commitCommand, diffCommand, mergeCommand, removeCommand } from "./work-commands.ts";

const FLAGS = {
  "--json": "bool",
  "--detach": "bool",
  "--follow": "bool",
  "--open": "bool",
  "--help": "bool",
  "-h": "bool",
  "--version": "bool",
  "--yes": "bool",
  "--resume": "bool",
  "--port": "value",
  "--task": "value",
  "--message": "value",
  "--stat": "bool",
  "--squash": "bool",
  "--rebase": "bool",
  "--force": "bool",
  "--delete-branch": "bool",
} as const;

/** Where a mode comes from, and what trust left out. */
function sourceText(m: ModeInfo): string {
  if (m.source === "repo") return m.trusted ? (m.overrides ? "repo (replaces built-in)" : "repo") : "repo, NOT TRUSTED";
  return m.overrides ? "builtin (repo's own NOT TRUSTED)" : "builtin";
}

const out = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
const asJson = (value: unknown) => out(JSON.stringify(value, null, 2));

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    out(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "version" || command === "--version") {
    out(VERSION);
    return 0;
  }
  // A dispatch keeps unknown `--x` as extras for the agent; the other commands know all their flags.
  const { positionals: args, flags } = parseArgs(rest, FLAGS);
  if (flags.has("--help") || flags.has("-h")) {
    out(HELP);
    return 0;
  }
  const json = flags.has("--json");
  const config = loadConfig();
  if (command === "app") {
    const runtime = process.env.DISPATCH_RUNTIME || runtimePath();
    if (existsSync(runtime)) return await appCommand(config, runtime);
    process.stderr.write(`dispatch: no Neutralino runtime at ${runtime} (npx neu update fetches it): serving the browser UI instead\n`);
  }
  const engine = await Engine.open(config, { watch: false });
  try {
    switch (command) {
      case "status": {
        if (args.length === 0) {
          const runs = engine.listRuns(null, 50);
          if (json) asJson({ runs });
          else out(runs.length ? table(runRows(runs)) : "no runs yet");
          return 0;
        }
        expectCount(args, 2, "dispatch status [<mode> <task-id>] [--json]");
        const [mode, id] = args as [string, string];
        checkNames(mode, id);
        await engine.lookAttached(mode, id);
        const status = engine.status(mode, id);
        if (json) asJson(status);
        else out(describeStatus(mode, id, status));
        return 0;
      }
      case "stop": {
        expectCount(args, 2, "dispatch stop <mode> <task-id>");
        const [mode, id] = args as [string, string];
        const result = await engine.stop(mode, id);
        if (json) asJson(result);
        else out(result.stopped ? `stopped ${mode} on ${id}` : `${mode} on ${id} was not running (${result.state})`);
        return 0;
      }
      case "logs": {
        expectCount(args, 2, "dispatch logs <mode> <task-id> [--follow]");
        const [mode, id] = args as [string, string];
        await printLog(engine, mode, id, flags.has("--follow"));
        return 0;
      }
      case "attach": {
        expectCount(args, 2, "dispatch attach <mode> <task-id>");
        const [mode, id] = args as [string, string];
        return await attachCommand(engine, mode, id, json);
      }
      case "tasks": {
        expectCount(args, 0, "dispatch tasks [--json]");
        const { tasks, problems } = engine.listTasks();
        if (json) {
          asJson({ tasks, problems });
          return 0;
        }
        const rows = tasks.map((t) => [
          t.id,
          t.status ?? "",
          t.priority ?? "",
          t.title,
          Object.entries(t.runs)
            .map(([m, b]) => `${m}:${stateText(b.state, b.exitCode)}`)
            .join(" "),
        ]);
        out(tasks.length ? table([["ID", "STATUS", "PRIORITY", "TITLE", "RUNS"], ...rows]) : "no tasks");
        for (const p of problems) process.stderr.write(`problem: ${visible(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.reason}`)}\n`);
        return 0;
      }
      case "approve":
      case "deny": {
        expectCount(args, 2, `dispatch ${command} <mode> <task-id>${command === "deny" ? " [--message TEXT]" : ""}`);
        const [mode, id] = args as [string, string];
        const message = flags.get("--message");
        const result = engine.approve(mode, id, {
          decision: command === "approve" ? "allow" : "deny",
          ...(typeof message === "string" && { message }),
        });
        if (json) asJson(result);
        else out(`${command === "approve" ? "allowed" : "denied"} ${result.tool}: ${visible(result.summary)} (${mode} on ${id})`);
        return 0;
      }
      case "diff": {
        expectCount(args, 1, "dispatch diff <task-id> [--stat] [--json]");
        return await diffCommand(engine, args[0] as string, { stat: flags.has("--stat") || json, json });
      }
      case "merge": {
        expectCount(args, 1, "dispatch merge <task-id> [--squash|--rebase] [--json]");
        if (flags.has("--squash") && flags.has("--rebase"))
          throw new DispatchError("invalid_request", "choose one of --squash and --rebase");
        const strategy = flags.has("--squash") ? "squash" : flags.has("--rebase") ? "rebase" : "merge";
        return await mergeCommand(engine, args[0] as string, { strategy, json });
      }
      case "commit": {
        expectCount(args, 1, "dispatch commit <task-id> --message TEXT [--json]");
        const message = flags.get("--message");
        if (typeof message !== "string" || message.trim() === "")
          throw new DispatchError("invalid_request", "usage: dispatch commit <task-id> --message TEXT (the commit message)");
        return await commitCommand(engine, args[0] as string, message, json);
      }
      case "remove": {
        expectCount(args, 1, "dispatch remove <task-id> [--force] [--delete-branch] [--json]");
        return await removeCommand(engine, args[0] as string, {
          force: flags.has("--force"),
          deleteBranch: flags.has("--delete-branch"),
          json,
        });
      }
      case "trust":
      case "untrust": {
        expectCount(args, 0, `dispatch ${command} [--yes] [--json]`);
        return await trustCommand(engine, { yes: flags.has("--yes"), json, revoke: command === "untrust" });
      }
      case "modes": {
        expectCount(args, 0, "dispatch modes [--json]");
        const modes = engine.listModes();
        if (json) {
          asJson({ modes });
          return 0;
        }
        out(
          table([
            ["MODE", "KIND", "SOURCE", "DESCRIPTION"],
            ...modes.map((m) => [m.name, m.interactive ? "interactive" : "headless", sourceText(m), m.description]),
          ]),
        );
        return 0;
      }
      case "runs": {
        expectCount(args, 0, "dispatch runs [--task ID] [--json]");
        const task = flags.get("--task");
        const runs = engine.listRuns(typeof task === "string" ? task : null, 200);
        if (json) asJson({ runs });
        else out(runs.length ? table(runRows(runs)) : "no runs yet");
        return 0;
      }
      case "serve":
      case "app": {
        expectCount(args, 0, `dispatch ${command} [--port N] [--open]`);
        const port = flags.get("--port");
        const portNumber = typeof port === "string" ? Number(port) : config.port;
        if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
          throw new DispatchError("invalid_request", `--port ${port}: give a port number (0 picks a free one)`);
        }
        return await serveCommand(engine, { port: portNumber, open: command === "app" || flags.has("--open") });
      }
      default: {
        const [id, ...extras] = args;
        if (id === undefined)
          throw new DispatchError("invalid_request", `usage: dispatch ${command} <task-id> [extras…] (dispatch --help lists the commands)`);
        checkNames(command, id);
        return await runCommand(engine, command, id, extras, { detach: flags.has("--detach"), json, resume: flags.has("--resume") });
      }
    }
  } finally {
    engine.close();
  }
}
