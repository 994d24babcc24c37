import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppNav } from "@/components/app-nav";
import { HydrationMarker } from "@/components/hydration-marker";
import { TrpcReactProvider } from "@/lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WiseHosting", template: "%s · WiseHosting" },
  description: "Deploy apps from git onto your own fleet.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <HydrationMarker />
        <TrpcReactProvider>
          <AppNav />
          <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
        </TrpcReactProvider>
      </body>
    </html>
  );
}
