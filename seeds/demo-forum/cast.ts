import type { ThreadKind } from '../../src/features/threads/threads.table.ts'

// Who writes in the demo forum: real Lower Saxony municipalities in their real districts, invented
// people. The official municipality key (AGS) is given only where it is certain.

/** The first six are those of seeds/demo.ts (matched by name, not duplicated). */
export const municipalities = {
  wolfenbuettel: { name: 'Wolfenbüttel', kind: 'Stadt', district: 'Landkreis Wolfenbüttel', ags: '03158037' },
  cremlingen: { name: 'Cremlingen', kind: 'Gemeinde', district: 'Landkreis Wolfenbüttel', ags: '03158008' },
  peine: { name: 'Peine', kind: 'Stadt', district: 'Landkreis Peine', ags: '03157006' },
  bersenbrueck: { name: 'Samtgemeinde Bersenbrück', kind: 'Samtgemeinde', district: 'Landkreis Osnabrück', ags: null },
  uelzen: { name: 'Uelzen', kind: 'Stadt', district: 'Landkreis Uelzen', ags: '03360025' },
  wennigsen: { name: 'Wennigsen (Deister)', kind: 'Gemeinde', district: 'Region Hannover', ags: '03241019' },
  celle: { name: 'Celle', kind: 'Stadt', district: 'Landkreis Celle', ags: '03351006' },
  gifhorn: { name: 'Gifhorn', kind: 'Stadt', district: 'Landkreis Gifhorn', ags: '03151009' },
  lingen: { name: 'Lingen (Ems)', kind: 'Stadt', district: 'Landkreis Emsland', ags: '03454032' },
  stade: { name: 'Stade', kind: 'Stadt', district: 'Landkreis Stade', ags: '03359038' },
  hameln: { name: 'Hameln', kind: 'Stadt', district: 'Landkreis Hameln-Pyrmont', ags: '03252006' },
  garbsen: { name: 'Garbsen', kind: 'Stadt', district: 'Region Hannover', ags: '03241005' },
  edewecht: { name: 'Edewecht', kind: 'Gemeinde', district: 'Landkreis Ammerland', ags: null },
  sottrum: { name: 'Samtgemeinde Sottrum', kind: 'Samtgemeinde', district: 'Landkreis Rotenburg (Wümme)', ags: null },
  goslar: { name: 'Goslar', kind: 'Stadt', district: 'Landkreis Goslar', ags: null },
  liebenburg: { name: 'Liebenburg', kind: 'Gemeinde', district: 'Landkreis Goslar', ags: null },
  hildesheim: { name: 'Hildesheim', kind: 'Stadt', district: 'Landkreis Hildesheim', ags: null },
  sarstedt: { name: 'Sarstedt', kind: 'Stadt', district: 'Landkreis Hildesheim', ags: null },
  goettingen: { name: 'Göttingen', kind: 'Stadt', district: 'Landkreis Göttingen', ags: null },
  northeim: { name: 'Northeim', kind: 'Stadt', district: 'Landkreis Northeim', ags: null },
  einbeck: { name: 'Einbeck', kind: 'Stadt', district: 'Landkreis Northeim', ags: null },
  lueneburg: { name: 'Lüneburg', kind: 'Stadt', district: 'Landkreis Lüneburg', ags: null },
  buxtehude: { name: 'Buxtehude', kind: 'Stadt', district: 'Landkreis Stade', ags: null },
  cuxhaven: { name: 'Cuxhaven', kind: 'Stadt', district: 'Landkreis Cuxhaven', ags: null },
  verden: { name: 'Verden (Aller)', kind: 'Stadt', district: 'Landkreis Verden', ags: null },
  leer: { name: 'Leer (Ostfriesland)', kind: 'Stadt', district: 'Landkreis Leer', ags: null },
  cloppenburg: { name: 'Cloppenburg', kind: 'Stadt', district: 'Landkreis Cloppenburg', ags: null },
  melle: { name: 'Melle', kind: 'Stadt', district: 'Landkreis Osnabrück', ags: null },
  laatzen: { name: 'Laatzen', kind: 'Stadt', district: 'Region Hannover', ags: null },
  nienburg: { name: 'Nienburg/Weser', kind: 'Stadt', district: 'Landkreis Nienburg/Weser', ags: null },
} as const
export type Town = keyof typeof municipalities

/**
 * Authors. The first three are accounts of seeds/demo.ts (matched by e-mail address); the others are
 * invented colleagues without a password: they appear as authors and cannot sign in.
 */
export const people = {
  karin: { name: 'Karin Kontakt', email: 'kontakt@wolfenbuettel.demo.kommunalforum.de', town: 'wolfenbuettel', role: 'municipality_admin' },
  max: { name: 'Max Mitglied', email: 'mitglied@peine.demo.kommunalforum.de', town: 'peine', role: 'member' },
  stefan: { name: 'Stefan Stab', email: 'geschaeftsstelle@demo.kommunalforum.de', town: null, role: 'staff' },
  birgit: { name: 'Birgit Hoffmann', email: 'b.hoffmann@cremlingen.demo.kommunalforum.de', town: 'cremlingen', role: 'member' },
  thomas: { name: 'Thomas Kemper', email: 't.kemper@bersenbrueck.demo.kommunalforum.de', town: 'bersenbrueck', role: 'member' },
  sabine: { name: 'Sabine Lüders', email: 's.lueders@uelzen.demo.kommunalforum.de', town: 'uelzen', role: 'member' },
  christoph: { name: 'Christoph Meyer', email: 'c.meyer@wennigsen.demo.kommunalforum.de', town: 'wennigsen', role: 'member' },
  jana: { name: 'Dr. Jana Wolter', email: 'j.wolter@celle.demo.kommunalforum.de', town: 'celle', role: 'member' },
  holger: { name: 'Holger Brandes', email: 'h.brandes@gifhorn.demo.kommunalforum.de', town: 'gifhorn', role: 'member' },
  maria: { name: 'Maria Többen', email: 'm.toebben@lingen.demo.kommunalforum.de', town: 'lingen', role: 'member' },
  kai: { name: 'Kai Petersen', email: 'k.petersen@stade.demo.kommunalforum.de', town: 'stade', role: 'member' },
  elif: { name: 'Elif Aydın', email: 'e.aydin@hameln.demo.kommunalforum.de', town: 'hameln', role: 'member' },
  frank: { name: 'Frank Wiechmann', email: 'f.wiechmann@garbsen.demo.kommunalforum.de', town: 'garbsen', role: 'member' },
  anke: { name: 'Anke Oltmanns', email: 'a.oltmanns@edewecht.demo.kommunalforum.de', town: 'edewecht', role: 'member' },
  joerg: { name: 'Jörg Rosebrock', email: 'j.rosebrock@sottrum.demo.kommunalforum.de', town: 'sottrum', role: 'municipality_admin' },
  ulrike: { name: 'Ulrike Sander', email: 'u.sander@goslar.demo.kommunalforum.de', town: 'goslar', role: 'member' },
  dieter: { name: 'Dieter Kramer', email: 'd.kramer@liebenburg.demo.kommunalforum.de', town: 'liebenburg', role: 'municipality_admin' },
  nadine: { name: 'Nadine Vogt', email: 'n.vogt@hildesheim.demo.kommunalforum.de', town: 'hildesheim', role: 'member' },
  ralf: { name: 'Ralf Heine', email: 'r.heine@sarstedt.demo.kommunalforum.de', town: 'sarstedt', role: 'member' },
  lea: { name: 'Lea Marquardt', email: 'l.marquardt@goettingen.demo.kommunalforum.de', town: 'goettingen', role: 'member' },
  bernd: { name: 'Bernd Oppermann', email: 'b.oppermann@northeim.demo.kommunalforum.de', town: 'northeim', role: 'member' },
  claudia: { name: 'Claudia Rehbein', email: 'c.rehbein@einbeck.demo.kommunalforum.de', town: 'einbeck', role: 'member' },
  henrik: { name: 'Henrik Albers', email: 'h.albers@lueneburg.demo.kommunalforum.de', town: 'lueneburg', role: 'member' },
  svenja: { name: 'Svenja Tiedemann', email: 's.tiedemann@buxtehude.demo.kommunalforum.de', town: 'buxtehude', role: 'member' },
  olaf: { name: 'Olaf Carstens', email: 'o.carstens@cuxhaven.demo.kommunalforum.de', town: 'cuxhaven', role: 'member' },
  petra: { name: 'Petra Wittenberg', email: 'p.wittenberg@verden.demo.kommunalforum.de', town: 'verden', role: 'member' },
  hinrich: { name: 'Hinrich de Vries', email: 'h.devries@leer.demo.kommunalforum.de', town: 'leer', role: 'member' },
  monika: { name: 'Monika Themann', email: 'm.themann@cloppenburg.demo.kommunalforum.de', town: 'cloppenburg', role: 'member' },
  stephan: { name: 'Stephan Niermann', email: 's.niermann@melle.demo.kommunalforum.de', town: 'melle', role: 'member' },
  aylin: { name: 'Aylin Demir', email: 'a.demir@laatzen.demo.kommunalforum.de', town: 'laatzen', role: 'member' },
  gesa: { name: 'Gesa Hormann', email: 'g.hormann@nienburg.demo.kommunalforum.de', town: 'nienburg', role: 'member' },
} as const satisfies Record<string, { name: string; email: string; town: Town | null; role: string }>
export type Person = keyof typeof people

export const A = 'aufnahme-unterbringung-versorgung'
export const I = 'integration'
export const E = 'buergerschaftliches-engagement'

export type Reply = { by: Person; after: number; body: string; solution?: true; helpful?: Person[] }
export type DemoThread = {
  forum: typeof A | typeof I | typeof E
  kind: ThreadKind
  by: Person
  daysAgo: number
  title: string
  body: string
  bestPractice?: { situation: string; approach: string; effort: string; contact: string }
  /** Hours after the opening post; the replies of the newest threads never lie in the future. */
  replies: Reply[]
  /** People whose municipality marks the best practice as adopted. */
  adoptedBy?: Person[]
  /** People whose municipality says "betrifft uns auch". */
  concerns?: Person[]
  /** People who find the opening post helpful. */
  helpful?: Person[]
}
