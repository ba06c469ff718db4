'use strict'
// kafkajs transactional producer: in one transaction writes --count records
// and commits, in a second writes --count more and aborts. Prints the
// committed records in kq's JSON form on stdout and the aborted ones to
// --aborted-out.

const fs = require('fs')
const { flags, need, client, recordJSON, records } = require('./common')

async function main () {
  const f = flags(process.argv.slice(2))
  const topic = need(f, 'topic')
  const count = Number(f.count || 20)
  const prefix = f.prefix || 'jstx'
  const producer = client(need(f, 'bootstrap')).producer({
    transactionalId: f['transactional-id'] || `${prefix}-txid`,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true
  })
  await producer.connect()
  const committed = records(`${prefix}-committed`, count, 'kafkajs-txn')
  const aborted = records(`${prefix}-aborted`, count, 'kafkajs-txn')

  const t1 = await producer.transaction()
  await t1.send({ topic, acks: -1, messages: committed })
  await t1.commit()
  const t2 = await producer.transaction()
  await t2.send({ topic, acks: -1, messages: aborted })
  await t2.abort()
  await producer.disconnect()

  for (const m of committed) console.log(recordJSON(m.key, m.value, m.headers))
  const lines = aborted.map((m) => recordJSON(m.key, m.value, m.headers) + '\n')
  fs.writeFileSync(need(f, 'aborted-out'), lines.join(''))
}

main().catch((err) => { console.error('kafkajs txn:', err.message); process.exit(1) })
