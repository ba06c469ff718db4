'use strict'
// kafkajs producer: writes --count records with keys and headers to --topic
// (acks=all, not idempotent) and prints each acknowledged record in kq's JSON
// form. With --one-by-one true it sends (and awaits) one record per request.

const { flags, need, client, recordJSON, records } = require('./common')

async function main () {
  const f = flags(process.argv.slice(2))
  const kafka = client(need(f, 'bootstrap'), Number(f['request-timeout-ms'] || 10000))
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  const topic = need(f, 'topic')
  const msgs = records(f.prefix || 'js', Number(f.count || 50), 'kafkajs')
  const batches = f['one-by-one'] === 'true' ? msgs.map((m) => [m]) : [msgs]
  for (const messages of batches) await producer.send({ topic, acks: -1, messages })
  for (const m of msgs) console.log(recordJSON(m.key, m.value, m.headers))
  await producer.disconnect()
}

main().catch((err) => { console.error('kafkajs producer:', err.message); process.exit(1) })
