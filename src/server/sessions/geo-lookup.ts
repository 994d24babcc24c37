import maxmind, { type CityResponse, type Reader } from "maxmind";

export interface GeoInfo {
  country: string;
  city: string;
}

const EMPTY: GeoInfo = { country: "", city: "" };
const readers = new Map<string, Promise<Reader<CityResponse> | null>>();

/**
 * Country and city from a MaxMind/GeoLite2 City database when GEOIP_DB_PATH is configured;
 * empty otherwise (and on any lookup failure: geo is informative, never required).
 */
export async function lookupGeo(dbPath: string | undefined, ip: string): Promise<GeoInfo> {
  if (!dbPath || !ip) return EMPTY;
  let reader = readers.get(dbPath);
  if (!reader) {
    reader = maxmind.open<CityResponse>(dbPath).catch(() => null);
    readers.set(dbPath, reader);
  }
  try {
    const r = await reader;
    const hit = r?.get(ip);
    if (!hit) return EMPTY;
    return { country: hit.country?.iso_code ?? "", city: hit.city?.names?.en ?? "" };
  } catch {
    return EMPTY;
  }
}
