// Texts of this feature, German first. Keys are prefixed with the feature's name.
export const messages = {
  de: {
  },
  en: {
  },
}
