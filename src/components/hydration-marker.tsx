"use client";

import { useEffect } from "react";

/**
 * Marks the document once React has hydrated it (`<html data-hydrated>`). Until then a form's
 * submit button does a native submit that reloads the page and drops what was typed; the
 * browser tests wait for the marker after every navigation (e2e/support/fixtures.ts).
 */
export function HydrationMarker(): null {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return null;
}
