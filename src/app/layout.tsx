import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { THEME_COOKIE, parseThemeChoice } from "@/components/theme/theme-choice";
import { HydrationMarker } from "@/components/hydration-marker";
import { TrpcReactProvider } from "@/lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WiseHosting", template: "%s · WiseHosting" },
  description: "Deploy apps from git onto your own fleet.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The toggle's choice (src/components/theme/theme-toggle.tsx); "system" leaves data-theme off so
  // globals.css follows prefers-color-scheme.
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <body className="min-h-screen antialiased">
        <HydrationMarker />
        <TrpcReactProvider>
          <AppNav theme={theme} />
          <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
        </TrpcReactProvider>
      </body>
    </html>
  );
}
