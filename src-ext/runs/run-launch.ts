import { chmodSync, closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { DispatchError } from "../errors.ts";
import { ensureWorktree } from "../git/worktree.ts";
import type { Mode } from "../modes/mode.ts";
import { renderPrompt } from "../modes/prompt.ts";
import type { Task } from "../tasks/task.ts";
import type { Tmux } from "../tmux/tmux.ts";
import { agentArgv, type ParsedExtras, saveToPath } from "./agent-argv.ts";
import { LAUNCHER, spawnHeadless } from "./headless-job.ts";
import type { LaunchSpec } from "./launch-spec.ts";
import type { RunFiles } from "./run-files.ts";

export type Launched = { worktree: string; branch: string; pid: number | null; tmuxId: string | null };

/** Decides whether a tmux session of our name that already exists may be replaced. */
export type StaleSessionCheck = (runId: string | null, stateDir: string | null) => boolean;

export function branchFor(config: Config, taskId: string): string {
  return config.branchTemplate.replaceAll("{id}", taskId);
}

export function worktreeFor(config: Config, taskId: string): string {
  return join(config.worktreesDir, taskId);
}

/** Resolves the agent's executable once per launch, so a missing `claude` is a clear error up front. */
export function resolveAgent(command: string[]): string[] {
  const [program, ...rest] = command;
  if (!program) throw new DispatchError("config", "agent.command is empty");
  const found = program.includes("/") ? program : Bun.which(program);
  if (!found) {
    throw new DispatchError(
      "agent_not_found",
      `${program} not found on PATH: install Claude Code (npm install -g @anthropic-ai/claude-code) or set DISPATCH_CLAUDE_BIN`,
    );
  }
  return [found, ...rest];
}

/** Worktree → prompt → launch spec → tmux session or detached job. */
export async function launchRun(options: {
  config: Config;
  files: RunFiles;
  tmux: Tmux;
  runId: string;
  session: string;
  mode: Mode;
  task: Task;
  extras: ParsedExtras;
  isStaleSession: StaleSessionCheck;
  /** Called when a headless launcher this process started has exited. */
  onJobExit: () => void;
}): Promise<Launched> {
  const { config, files, tmux, runId, session, mode, task, extras } = options;
  const agent = resolveAgent(config.agentCommand);
  const branch = branchFor(config, task.id);
  const worktree = await ensureWorktree(
    config.repo,
    worktreeFor(config, task.id),
    branch,
    join(config.stateDir, "locks", `worktree-${task.id}.lock`),
  );
  const prompt = renderPrompt(mode.prompt, { task, worktree: worktree.path, branch, mode: mode.name });
  const { argv, stdin } = agentArgv(agent, mode, extras.agentExtras, prompt);
  const env = {
    DISPATCH_RUN_ID: runId,
    DISPATCH_TASK_ID: task.id,
    DISPATCH_MODE: mode.name,
    DISPATCH_STATE_DIR: config.stateDir,
  };
  const spec: LaunchSpec = {
    runId,
    argv,
    cwd: worktree.path,
    env: { ...env, PATH: process.env.PATH ?? "/usr/bin:/bin" },
    stdin,
    logFile: files.log(runId),
    exitFile: files.exit(runId),
    saveTo: saveToPath(worktree.path, extras.saveTo),
    timeoutSeconds: mode.interactive ? null : (mode.timeout ?? null),
  };
  // The log exists from the start, so a reader can open it before the agent prints anything.
  closeSync(openSync(spec.logFile, "a", 0o600));
  const specPath = files.spec(runId);
  writeFileSync(specPath, JSON.stringify(spec), { mode: 0o600 });
  chmodSync(specPath, 0o600);

  if (!mode.interactive) {
    const pid = spawnHeadless(specPath, worktree.path, spec.logFile, options.onJobExit);
    return { worktree: worktree.path, branch, pid, tmuxId: null };
  }
  const create = () =>
    tmux.newSession({
      name: session,
      cwd: worktree.path,
      command: [process.execPath, LAUNCHER, specPath],
      logPath: spec.logFile,
      env,
    });
  let created = await create();
  if (created === null) {
    // A session of this name exists but no live run owns it: a leftover of ours is replaced;
    // anyone else's (another repo's Dispatch with the same task id, a user's session) is not.
    const owner = await tmux.sessionEnv(`=${session}`, "DISPATCH_RUN_ID");
    const ownerDir = await tmux.sessionEnv(`=${session}`, "DISPATCH_STATE_DIR");
    if (!options.isStaleSession(owner, ownerDir)) {
      throw new DispatchError(
        "session_conflict",
        `tmux session ${session} already exists and is not a run of this repository: end it (tmux kill-session -t =${session}) or rename it`,
      );
    }
    await tmux.killSession(session);
    created = await create();
    if (created === null) throw new DispatchError("session_conflict", `tmux session ${session} was created by someone else meanwhile`);
  }
  return { worktree: worktree.path, branch, pid: created.pid, tmuxId: created.id };
}
