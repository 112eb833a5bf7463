export const HELP = `dispatch: run Claude Code on your tasks, one run per mode and task

Usage:
  dispatch <mode> <task-id> [extras…]   start a run, or reuse the live one
        interactive modes attach here when stdin is a terminal, else print how to attach;
        headless modes follow the log and exit with the run's code
        --detach      return at once with the run's id
        --json        print the dispatch result as JSON
        extras go to claude as they are (use -- before an extra that looks like a dispatch flag);
        headless modes also take --save-to FILE: the final answer is written to FILE in the worktree
  dispatch status [<mode> <task-id>] [--json]   one run's state, or every live and recent run
  dispatch stop <mode> <task-id>               end the run (its tmux session or process group)
  dispatch logs <mode> <task-id> [--follow]    print the run's log; --follow until it ends
  dispatch approve <mode> <task-id>            allow what the run waits to do (its tool, its command)
  dispatch deny <mode> <task-id> [--message TEXT]   deny it, with a reason for Claude
  dispatch attach <mode> <task-id>             attach to an interactive run's tmux session
  dispatch diff <task-id> [--stat] [--json]    the task branch's changes against its base, then its
        worktree's uncommitted ones; --stat: counts per file, commits ahead and behind
  dispatch merge <task-id> [--squash|--rebase] land the branch on its base in the main worktree (which
        must be on the base and clean); a conflict changes nothing and lists the files
  dispatch commit <task-id> --message TEXT     commit everything in the task's worktree
  dispatch remove <task-id> [--force] [--delete-branch]   remove the task's worktree; refused while a
        run is live, or with uncommitted or unmerged work unless --force, which saves it first to
        refs/dispatch/backup/<task-id>/<time>
  dispatch tasks [--json]                      tasks with each mode's state, and unreadable files
  dispatch modes [--json]                      the modes this repository offers
  dispatch trust [--yes] [--json]              show what this repository would run (its own modes,
        agent.command, Claude Code project files) and trust exactly that; nothing of it runs before
  dispatch untrust                             take that trust back
  dispatch runs [--task ID] [--json]           run history
  dispatch serve [--port N] [--open]           the HTTP API and browser UI on 127.0.0.1
  dispatch app                                 the desktop app; without it, serve --open

Environment: DISPATCH_REPO, DISPATCH_STATE_DIR, DISPATCH_CLAUDE_BIN, DISPATCH_TMUX_SOCKET,
DISPATCH_TERMINAL, DISPATCH_PORT. Settings file: dispatch.config.toml at the repository root.

Exit codes: 0 success; a headless run's own code when following it; 2 bad usage or invalid id;
3 unknown task or mode; 1 other errors.
`;
