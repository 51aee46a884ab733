import { stemsOf } from '../../src/features/trends/trends.text.ts'
const COMMON = `Unterbringung Wohnraum Turnhalle Container Erstaufnahme Zuweisung Landesaufnahmebehörde Sozialamt Sprachkurs Integrationskurs Kita Schule Ehrenamt Ehrenamtliche Dolmetscher Übersetzung Arztbesuch Gesundheitskarte Kosten Erstattung Pauschale Landkreis Antrag Formular Leistungen`.split(' ')
const GLUE = `wir haben die der das und mit für bei im in zur zum von auf nach seit sehr gute schnelle erste neue`.split(' ')
const texts: string[] = []
for (let i = 0; i < 20000; i++) { const n = 25 + (i % 60); const w = []; for (let j = 0; j < n; j++) w.push(Math.random() < 0.45 ? GLUE[Math.floor(Math.random()*GLUE.length)] : COMMON[Math.floor(Math.random()*COMMON.length)]); texts.push(w.join(' ') + '.') }
let t = performance.now(); let n = 0
for (const x of texts) n += stemsOf(x).size
t = performance.now() - t
console.log('per post µs', (t * 1000 / texts.length).toFixed(1), 'avg stems', n / texts.length)
