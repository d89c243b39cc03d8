// The yardstick for the webhook benchmark: bare node:http that reads the request body and answers a fixed TwiML
// document (BARE_BODY_IVR for /twilio/ivr…, BARE_BODY for anything else) with the same headers the real webhook
// server sends. No signature check, no database, no logging.
import http from 'node:http';

const body = process.env.BARE_BODY || '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const ivrBody = process.env.BARE_BODY_IVR || body;
const port = Number(process.env.PORT ?? 0);
const XML = { 'Content-Type': 'text/xml; charset=utf-8' };

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, XML);
    res.end(req.url?.startsWith('/twilio/ivr') ? ivrBody : body);
  });
});

server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  console.log(`bare server listening on port ${typeof a === 'object' && a ? a.port : port}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
