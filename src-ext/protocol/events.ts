import { z } from "zod";
import { RunInfo } from "./api.ts";

/** Messages on WS /events: every state change, for live badges. */
export const ServerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), version: z.string() }),
  z.object({ type: z.literal("run"), run: RunInfo }),
  z.object({ type: z.literal("tasks") }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
