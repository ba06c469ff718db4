'use strict'
// Shared helpers of the kafkajs interop clients: flags, kq's JSON record form
// and the records a producer writes.

const { Kafka, logLevel } = require('kafkajs')

// flags parses --name value pairs into an object.
function flags (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}: want --name value pairs`)
    }
    out[argv[i].slice(2)] = argv[i + 1]
  }
  return out
}

// need returns flag name or throws when it is missing.
function need (f, name) {
  if (f[name] === undefined) throw new Error(`--${name} is required`)
  return f[name]
}

// client returns a kafkajs client for a comma-separated bootstrap list; a
// request unanswered for requestTimeout ms fails and is retried.
function client (bootstrap, requestTimeout = 10000) {
  return new Kafka({
    clientId: 'interop-kafkajs',
    brokers: bootstrap.split(','),
    logLevel: logLevel.ERROR,
    connectionTimeout: 5000,
    requestTimeout,
    retry: { retries: 8, initialRetryTime: 100 }
  })
}

const text = (b) => (b === null || b === undefined ? null : b.toString('utf8'))

// recordJSON returns one record in kq's JSON form (see internal/record).
function recordJSON (key, value, headers) {
  const hs = Object.entries(headers || {}).map(([k, v]) => ({ key: k, value: text(v) }))
  return JSON.stringify({ headers: hs, key: text(key), value: text(value) })
}

// records returns the kafkajs messages a producer writes.
function records (prefix, count, source) {
  const out = []
  for (let i = 0; i < count; i++) {
    out.push({
      key: `${prefix}-k${i}`,
      value: `${prefix}-v${i} \u00e9\u00e8 \u2713`,
      headers: { src: source, i: String(i) }
    })
  }
  return out
}

module.exports = { flags, need, client, recordJSON, records }
