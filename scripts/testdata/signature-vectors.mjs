// Computes Dintero-Signature vectors the way Dintero's own documentation does it, with the
// WHATWG URL and URLSearchParams of Node (JavaScript is what the docs' sample uses), so the
// vectors in testdata/ are not produced by the same code that checks them.
// Usage: node scripts/testdata/signature-vectors.mjs  (prints JSON vectors to stdout)
import { createHmac } from 'node:crypto'

function sign (secret, accountId, method, rawUrl, t) {
  const url = new URL(rawUrl)
  const params = new URLSearchParams(url.search)
  params.sort()
  const payload = [String(t), accountId, method.toUpperCase(), url.hostname, url.pathname, params.toString()].join('\n')
  const mac = createHmac('sha256', secret).update(payload).digest('hex')
  return { payload, header: `t=${t},v0-hmac-sha256=${mac}` }
}

const cases = [
  ['node-repeated-keys-keep-order', 'GET', 'https://shop.example/cb?report_event=VOID&transaction_id=T12345678.x&report_event=CAPTURE'],
  ['node-special-characters', 'GET', "https://shop.example/cb?q=a*b~c'd!e(f)g&merchant_reference=o%201&z=%7E"],
  ['node-unicode-keys', 'GET', 'https://shop.example/cb?%C3%A6=1&a=2&%F0%9F%98%80=3&%EF%BC%A1=4'],
  ['node-path-escapes', 'POST', 'https://shop.example/a%20b/c%7Ed?x=1'],
  ['node-ipv4-and-port', 'GET', 'http://127.0.0.1:8080/dintero/callback?session_id=T12345678.s&transaction_id=T12345678.t'],
]
const out = cases.map(([name, method, url], i) => {
  const t = 1700000000 + i
  const { payload, header } = sign('node-secret', 'T12345678', method, url, t)
  return { name, secret: 'node-secret', account_id: 'T12345678', method, url, timestamp: t, signature_header: header, valid: true, payload }
})
console.log(JSON.stringify(out, null, 2))
