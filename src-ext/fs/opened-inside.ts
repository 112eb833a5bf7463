import { readlinkSync } from "node:fs";
import { sep } from "node:path";

/**
 * Whether an open file lies inside `root` (a real path), by the kernel's own name for it (Linux's
 * /proc/self/fd): the one check that holds after a folder on the way was swapped for a link
 * between a check and the open. Where there is no /proc, the checks made before the open stand.
 */
export function openedInside(fd: number, root: string): boolean {
  let where: string;
  try {
    where = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return true;
  }
  return where.startsWith(root + sep);
}
