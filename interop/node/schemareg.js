'use strict'
// The Schema Registry client of the npm package
// @kafkajs/confluent-schema-registry with kafkajs, against kq broker
// --schema-registry:
//
//   node schemareg.js --mode produce --registry URL --bootstrap B --topic T --type avro|protobuf --count N
//     registers schemas/order.(avsc|proto) as T-value, encodes N orders and
//     writes them; prints each order as JSON, one per line.
//   node schemareg.js --mode consume --registry URL --bootstrap B --topic T --count N
//     reads N records from the start of T and prints each decoded value as
//     JSON, one per line.
//   With --message Shipment (protobuf only) both use schemas/catalog.proto
//     and its second message, Shipment, through the client's messageName
//     option (the client writes no Confluent message index).

const fs = require('fs')
const path = require('path')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')
const { flags, need, client } = require('./common')

// shipment returns the i-th shipment of schemas/catalog.proto.
function shipment (i) {
  const parcels = []
  for (let j = 0; j < i % 3; j++) parcels.push({ weight: 100 * (j + 1) + i, label: `p${i}.${j}` })
  const s = { id: 3000 + i, carrier: `carrier ${i} \u00fc` }
  if (parcels.length) s.parcels = parcels
  return s
}

// order returns the i-th order in the form the schema type carries.
function order (type, i) {
  const tags = i % 2 === 0 ? ['a', `t${i}`] : []
  if (type === 'avro') {
    return { id: 1000 + i, item: `item-${i} \u00e9`, qty: i + 1, note: i % 3 === 0 ? null : `note ${i}`, state: ['NEW', 'PAID', 'SHIPPED'][i % 3], tags }
  }
  const o = { id: 1000 + i, item: `item-${i} \u00e9`, qty: i + 1, tags }
  if (i % 2 === 1) o.paid = true
  return o
}

async function produce (f, registry) {
  const type = need(f, 'type')
  const file = f.message ? 'catalog.proto' : type === 'avro' ? 'order.avsc' : 'order.proto'
  const schema = fs.readFileSync(path.join(__dirname, 'schemas', file), 'utf8')
  const { id } = await registry.register(
    { type: type === 'avro' ? SchemaType.AVRO : SchemaType.PROTOBUF, schema },
    { subject: `${need(f, 'topic')}-value` }
  )
  const count = Number(need(f, 'count'))
  const messages = []
  for (let i = 0; i < count; i++) {
    const o = f.message ? shipment(i) : order(type, i)
    messages.push({ key: `k${i}`, value: await registry.encode(id, o) })
    console.log(JSON.stringify(o))
  }
  const producer = client(need(f, 'bootstrap')).producer({ allowAutoTopicCreation: true })
  await producer.connect()
  await producer.send({ topic: f.topic, messages, acks: -1 })
  await producer.disconnect()
}

async function consume (f, registry) {
  const count = Number(need(f, 'count'))
  const consumer = client(need(f, 'bootstrap')).consumer({ groupId: `interop-sr-${process.pid}` })
  await consumer.connect()
  await consumer.subscribe({ topic: need(f, 'topic'), fromBeginning: true })
  let seen = 0
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        const v = await registry.decode(message.value)
        // protobufjs messages print their set fields, as protojson does.
        console.log(JSON.stringify(typeof v.toJSON === 'function' ? v.toJSON() : v))
        if (++seen === count) resolve()
      }
    }).catch(reject)
  })
  await consumer.disconnect()
}

async function main () {
  const f = flags(process.argv.slice(2))
  const opts = f.message ? { [SchemaType.PROTOBUF]: { messageName: f.message } } : undefined
  const registry = new SchemaRegistry({ host: need(f, 'registry') }, opts)
  if (need(f, 'mode') === 'produce') return produce(f, registry)
  return consume(f, registry)
}

main().catch((err) => { console.error(err); process.exit(1) })
