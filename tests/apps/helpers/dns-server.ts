import dns2 from "dns2";

const { Packet } = dns2;

export interface TestZone {
  txt?: Record<string, string[]>;
  cname?: Record<string, string>;
  a?: Record<string, string[]>;
}

/** A real authoritative DNS server on a loopback UDP port, answering from a mutable zone. */
export async function startDnsServer(zone: TestZone = {}, fixedPort?: number) {
  const records: Required<TestZone> = { txt: { ...zone.txt }, cname: { ...zone.cname }, a: { ...zone.a } };
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      // dns2's typings model answers narrowly; the wire encoder takes these plain records.
      const answers = response.answers as unknown as object[];
      const question = request.questions[0] as { name: string; type: number };
      const name = question.name.toLowerCase();
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 1 };
      if (question.type === Packet.TYPE.TXT) {
        for (const data of records.txt[name] ?? []) answers.push({ ...base, type: Packet.TYPE.TXT, data });
      } else if (question.type === Packet.TYPE.CNAME) {
        const target = records.cname[name];
        if (target) answers.push({ ...base, type: Packet.TYPE.CNAME, domain: target });
      } else if (question.type === Packet.TYPE.A) {
        for (const address of records.a[name] ?? []) answers.push({ ...base, type: Packet.TYPE.A, address });
      }
      send(response);
    },
  });
  // Without a fixed port, port 0: the kernel picks a free UDP port at bind time.
  await server.listen({ udp: { port: fixedPort ?? 0, address: "127.0.0.1" } });
  const port = (server.addresses().udp as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    records,
    close: () => server.close(),
  };
}
