/**
 * POSIX shell single-quoting: the word comes out exactly as given. Used only where a program
 * insists on one command line (tmux's pipe-pane, AppleScript's `do script`); everything else
 * passes argv arrays.
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
