import { UAParser } from "ua-parser-js";

export interface DeviceInfo {
  device: string;
  browser: string;
  os: string;
}

/** Human-readable device, browser and OS from a User-Agent, for the sessions list and emails. */
export function parseDevice(userAgent: string): DeviceInfo {
  const ua = UAParser(userAgent.slice(0, 512));
  const browser = [ua.browser.name, ua.browser.major].filter(Boolean).join(" ");
  const os = [ua.os.name, ua.os.version].filter(Boolean).join(" ");
  const vendorModel = [ua.device.vendor, ua.device.model].filter(Boolean).join(" ");
  const device = vendorModel || (ua.device.type ? ua.device.type[0]!.toUpperCase() + ua.device.type.slice(1) : "Desktop");
  return { device: userAgent ? device : "", browser, os };
}
