import { parseDaemonAddress, sameEndpoint, segmentEndpoint } from '../../../src/checks/private/daemon-address';

describe('parseDaemonAddress', () => {
  test.each([
    ['127.0.0.1:2000', [{ protocol: undefined, host: '127.0.0.1', port: 2000 }]],
    ['localhost:2000', [{ protocol: undefined, host: '127.0.0.1', port: 2000 }]],
    ['  xray-daemon:2000 ', [{ protocol: undefined, host: 'xray-daemon', port: 2000 }]],
    ['tcp:xray-daemon:2000 udp:xray-daemon:2000', [
      { protocol: 'tcp', host: 'xray-daemon', port: 2000 }, { protocol: 'udp', host: 'xray-daemon', port: 2000 },
    ]],
    ['UDP:127.0.0.1:2001 TCP:127.0.0.1:2002', [
      { protocol: 'udp', host: '127.0.0.1', port: 2001 }, { protocol: 'tcp', host: '127.0.0.1', port: 2002 },
    ]],
  ])('%j', (text, endpoints) => {
    expect(parseDaemonAddress(text)).toEqual(endpoints);
  });

  test.each([
    [''], ['localhost'], ['127.0.0.1:'], ['127.0.0.1:0'], ['127.0.0.1:70000'], ['http://127.0.0.1:2000'],
    ['udp:a:1 udp:a:1'], ['a:1 b:2'], ['tcp:a:1 udp:a:1 udp:a:1'],
  ])('%j is malformed', (text) => {
    expect(parseDaemonAddress(text)).toBeUndefined();
  });

  test('the segment endpoint is the UDP one, or the only one', () => {
    expect(segmentEndpoint(parseDaemonAddress('tcp:a:1 udp:b:2')!)).toEqual({ protocol: 'udp', host: 'b', port: 2 });
    expect(segmentEndpoint(parseDaemonAddress('b:2')!)).toEqual({ protocol: undefined, host: 'b', port: 2 });
    expect(sameEndpoint(segmentEndpoint(parseDaemonAddress('tcp:a:1 udp:b:2')!), segmentEndpoint(parseDaemonAddress('b:2')!))).toBe(true);
    expect(sameEndpoint(segmentEndpoint(parseDaemonAddress('a:1')!), segmentEndpoint(parseDaemonAddress('a:2')!))).toBe(false);
  });
});
