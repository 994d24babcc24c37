// zod/mini: the theme toggle puts this file into every page's first load, and classic zod brought its whole runtime into the chunk every route shares (bench:web).
import { z } from "zod/mini";

/** The theme the user picked with the toggle; "system" follows prefers-color-scheme. */
export const themeChoice = z.enum(["system", "light", "dark"]);
export type ThemeChoice = z.infer<typeof themeChoice>;

/** Cookie the toggle writes and the root layout reads, so the server renders the chosen theme. */
export const THEME_COOKIE = "wh-theme";

/** Anything but a known value (a tampered or stale cookie) means "follow the system". */
export function parseThemeChoice(value: string | undefined | null): ThemeChoice {
  const parsed = themeChoice.safeParse(value);
  return parsed.success ? parsed.data : "system";
}
