import { readFileSync } from 'node:fs'
import { SaxesParser } from 'saxes'
import { XMLValidator } from 'fast-xml-parser'
for (const f of ['rss', 'atom']) {
  const body = readFileSync(`/tmp/e-doc.${f}`, 'utf8')
  const t = (name: string, fn: () => unknown) => { for (let i=0;i<100;i++) fn(); const s=process.cpuUsage(); for (let i=0;i<300;i++) fn(); const u=process.cpuUsage(s); console.log(f, name, ((u.user+u.system)/1000/300).toFixed(3)) }
  t('saxes xmlns', () => { const p = new SaxesParser({ xmlns: true }); let n = 0; p.on('opentag', () => { n++ }); p.on('text', () => {}); p.on('cdata', () => {}); p.write(body).close(); return n })
  t('saxes plain', () => { const p = new SaxesParser({ xmlns: false }); let n = 0; p.on('opentag', () => { n++ }); p.on('text', () => {}); p.on('cdata', () => {}); p.write(body).close(); return n })
  t('fxp validate', () => XMLValidator.validate(body))
}
