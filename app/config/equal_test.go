package config

import (
	"reflect"
	"testing"
	"time"
)

func TestProfileEqual(t *testing.T) {
	base := Profile{Name: "work", Issuer: "https://idp.example.com", ClientID: "c", Scopes: []string{"openid"},
		ExtraHeaders: map[string]string{"X-A": "1"}, DefaultLifetime: Duration{time.Hour}}
	tests := []struct {
		name string
		edit func(p *Profile)
		want bool
	}{
		{"same", func(p *Profile) {}, true},
		{"copied maps and slices", func(p *Profile) {
			p.Scopes = []string{"openid"}
			p.ExtraHeaders = map[string]string{"X-A": "1"}
		}, true},
		{"no scopes: empty or nil", func(p *Profile) { p.Scopes = nil }, false},
		{"a header value", func(p *Profile) { p.ExtraHeaders = map[string]string{"X-A": "2"} }, false},
		{"scope order", func(p *Profile) { p.Scopes = []string{"openid", "email"} }, false},
		{"a duration", func(p *Profile) { p.DefaultLifetime = Duration{time.Minute} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Scopes = append([]string(nil), base.Scopes...)
			tt.edit(&p)
			if got := base.Equal(p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got := p.Equal(base); got != tt.want {
				t.Errorf("reversed: got %v, want %v", got, tt.want)
			}
		})
	}
	if !(Profile{Scopes: nil, ExtraParams: nil}).Equal(Profile{Scopes: []string{}, ExtraParams: map[string]string{}}) {
		t.Error("an empty list or map differs from none: got false, want true")
	}
}

// Every field counts: a field added to Profile is compared without
// anyone remembering to.
func TestProfileEqualSeesEveryField(t *testing.T) {
	typ := reflect.TypeFor[Profile]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			var p Profile
			v := reflect.ValueOf(&p).Elem().Field(i)
			switch v.Kind() {
			case reflect.String:
				v.SetString("x")
			case reflect.Int:
				v.SetInt(1)
			case reflect.Slice:
				v.Set(reflect.ValueOf([]string{"x"}))
			case reflect.Map:
				v.Set(reflect.ValueOf(map[string]string{"x": "y"}))
			case reflect.Struct: // Duration
				v.Field(0).SetInt(1)
			default:
				t.Fatalf("field %s of kind %s: teach this test to set it", f.Name, v.Kind())
			}
			if (Profile{}).Equal(p) {
				t.Errorf("a profile with %s set: got equal to the empty one, want different", f.Name)
			}
		})
	}
}
