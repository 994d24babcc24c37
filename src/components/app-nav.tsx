import Link from "next/link";
import { AccountMenu } from "./account-menu";
import { TeamSwitcher } from "./teams/team-switcher";
import { CollapsibleNav } from "./collapsible-nav";
import type { ThemeChoice } from "./theme/theme-choice";
import { ThemeToggle } from "./theme/theme-toggle";

/** Top-level sections of the dashboard. Features add their entry here. */
export const NAV_ITEMS: { href: string; label: string }[] = [
  { href: "/", label: "Overview" },
  { href: "/apps", label: "Apps" },
  { href: "/alerts", label: "Alerts" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/teams", label: "Team" },
  { href: "/status", label: "Status" },
  { href: "/settings/security", label: "Security" },
];

export function AppNav({ theme }: { theme: ThemeChoice }) {
  return (
    <header className="border-b border-line bg-panel">
      <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3 sm:px-6">
        <Link href="/" className="font-semibold tracking-tight text-strong">
          WiseHosting
        </Link>
        <CollapsibleNav tools={<ThemeToggle initial={theme} />}>
          <ul className="flex flex-col gap-2 text-sm text-muted md:flex-row md:gap-4">
            {NAV_ITEMS.map((item) => (
              <li key={item.href}>
                <Link href={item.href} className="hover:text-strong">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
          <div className="flex min-w-0 flex-col gap-2 md:ml-auto md:flex-row md:items-center md:gap-4">
            <TeamSwitcher />
            <AccountMenu />
          </div>
        </CollapsibleNav>
      </nav>
    </header>
  );
}
