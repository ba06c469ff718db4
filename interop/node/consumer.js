'use strict'
// kafkajs group consumer: joins --group, reads --count records of --topic from
// the earliest offset, commits them, prints them in kq's JSON form, and keeps
// consuming for --grace-ms more so that extra records are caught too.

const { flags, need, client, recordJSON } = require('./common')

async function main () {
  const f = flags(process.argv.slice(2))
  const want = Number(need(f, 'count'))
  const timeoutMs = Number(f['timeout-ms'] || 30000)
  const graceMs = Number(f['grace-ms'] || 1000)
  const consumer = client(need(f, 'bootstrap')).consumer({
    groupId: need(f, 'group'),
    readUncommitted: false,
    sessionTimeout: 10000,
    heartbeatInterval: 1000
  })
  await consumer.connect()
  await consumer.subscribe({ topic: need(f, 'topic'), fromBeginning: true })
  let got = 0
  let reached
  const done = new Promise((resolve) => { reached = resolve })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      console.log(recordJSON(message.key, message.value, message.headers))
      const next = (BigInt(message.offset) + 1n).toString()
      await consumer.commitOffsets([{ topic, partition, offset: next }])
      if (++got === want) reached()
    }
  })
  const timer = setTimeout(() => reached(), timeoutMs)
  await done
  clearTimeout(timer)
  if (got >= want) await new Promise((resolve) => setTimeout(resolve, graceMs))
  await consumer.disconnect()
  if (got < want) {
    console.error(`kafkajs consumer: got ${got} of ${want} records`)
    process.exit(1)
  }
}

main().catch((err) => { console.error('kafkajs consumer:', err.message); process.exit(1) })
