"use client";

import { useState } from "react";
import { THEME_COOKIE, parseThemeChoice, type ThemeChoice } from "./theme-choice";

const LABELS: Record<ThemeChoice, string> = { system: "System theme", light: "Light", dark: "Dark" };

/**
 * System / light / dark. The choice goes into <html data-theme> at once and into a year-long
 * cookie, which src/app/layout.tsx reads on the next page load (no flash of the other theme).
 */
export function ThemeToggle({ initial }: { initial: ThemeChoice }) {
  const [choice, setChoice] = useState<ThemeChoice>(initial);
  function choose(value: string) {
    const next = parseThemeChoice(value);
    setChoice(next);
    if (next === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
  }
  return (
    <label className="text-sm">
      <span className="sr-only">Theme</span>
      <select
        value={choice}
        onChange={(e) => choose(e.target.value)}
        data-testid="theme-toggle"
        className="rounded-md border border-line bg-panel px-2 py-1 text-muted hover:text-strong"
      >
        {(Object.keys(LABELS) as ThemeChoice[]).map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
