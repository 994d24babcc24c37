import Link from "next/link";
import { AccountMenu } from "./account-menu";

/** Top-level sections of the dashboard. Features add their entry here. */
export const NAV_ITEMS: { href: string; label: string }[] = [
  { href: "/", label: "Overview" },
  { href: "/apps", label: "Apps" },
  { href: "/alerts", label: "Alerts" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/status", label: "Status" },
  { href: "/settings/security", label: "Security" },
];

export function AppNav() {
  return (
    <header className="border-b border-line bg-panel">
      <nav aria-label="Main" className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
        <Link href="/" className="font-semibold tracking-tight text-white">
          WiseHosting
        </Link>
        <ul className="flex gap-4 text-sm text-muted">
          {NAV_ITEMS.map((item) => (
            <li key={item.href}>
              <Link href={item.href} className="hover:text-white">
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="ml-auto">
          <AccountMenu />
        </div>
      </nav>
    </header>
  );
}
