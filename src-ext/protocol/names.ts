/** Task ids and mode names: the seed's `[A-Z0-9_-]+`, case-insensitive and bounded (DESIGN §2). */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** tmux session of a run: the name users and scripts rely on (DESIGN §4). */
export function sessionName(mode: string, id: string): string {
  return `claude-${mode}-${id}`;
}
