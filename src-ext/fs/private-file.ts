import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file of ours whole or not at all, readable by this user only: a fresh temp file beside
 * it (O_CREAT|O_EXCL, so a link planted at that name is never followed), then a rename (which
 * replaces a link at the destination instead of writing through it).
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: "wx" });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
