import { z } from "zod";

/** What Neutralino writes to an extension's stdin, then closes it (DESIGN §10). nlPort is a string. */
export const StartupInfo = z.object({
  nlPort: z.union([z.string(), z.number()]).transform(String),
  nlToken: z.string(),
  nlConnectToken: z.string(),
  nlExtensionId: z.string(),
});
export type StartupInfo = z.infer<typeof StartupInfo>;

export { EXTENSION_ID, HELLO_EVENT, type Hello, OPEN_EVENT } from "./names.ts";

export const TrayItem = z.object({
  id: z.string(),
  text: z.string(),
  isDisabled: z.boolean().optional(),
  isChecked: z.boolean().optional(),
});
export type TrayItem = z.infer<typeof TrayItem>;

export const TrayClick = z.object({ id: z.string() }).passthrough();

/** Reads stdin to its end (no trailing newline comes) and parses the startup JSON, or null. */
export async function readStartup(stdin: ReadableStream<Uint8Array>): Promise<StartupInfo | null> {
  const text = (await new Response(stdin).text()).trim();
  if (!text) return null;
  try {
    const parsed = StartupInfo.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
