package config

import "reflect"

// Equal reports whether p and q configure the same client: every field
// equal, where an empty list or map is the same as none (the file cannot
// tell them apart). The agent keeps an unchanged profile's session across
// a reload; the settings window saves only what differs.
func (p Profile) Equal(q Profile) bool {
	return reflect.DeepEqual(emptyAsNil(p), emptyAsNil(q))
}

// emptyAsNil sets p's empty slices and maps to nil.
func emptyAsNil(p Profile) Profile {
	v := reflect.ValueOf(&p).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() == 0 {
			f.SetZero()
		}
	}
	return p
}
