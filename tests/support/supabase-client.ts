/** supabase-js clients for tests. Node 20 has no global WebSocket, so realtime gets `ws`. */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";

export function supabaseClient(url: string, apiKey: string, accessToken?: string, fetchImpl?: typeof fetch): SupabaseClient {
  return createClient(url, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as never },
    global: {
      ...(accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {}),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    },
  });
}
