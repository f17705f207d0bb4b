package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tokentray/tokentray/app/apiclient"
)

// maxKeyInput bounds a private key read from a file or standard input.
const maxKeyInput = 64 << 10

// secretCommand is `tokentray secret set|set-key|delete PROFILE`: the
// client credentials of a profile go to the keyring through the agent,
// never into the config file, and are never printed.
func secretCommand(c *cmdContext) *cobra.Command {
	const usage = "tokentray secret set|set-key|delete PROFILE"
	cmd := &cobra.Command{Use: "secret set|set-key|delete PROFILE",
		Short:   "keep a profile's client secret (set, from standard input) or private key (set-key FILE) in the keyring",
		Example: "  tokentray secret set work < secret.txt",
		RunE: c.run(func(c *cmdContext) error {
			if len(c.args) == 0 {
				return fmt.Errorf("%w: %s", errUsage, usage)
			}
			return fmt.Errorf("%w: unknown subcommand %q: %s", errUsage, c.args[0], usage)
		}),
	}
	sub := func(use, short, example string, maxArgs int, run func(c *cmdContext) error) *cobra.Command {
		name, _, _ := strings.Cut(use, " ")
		return &cobra.Command{Use: use, Short: short, Example: example,
			Args: func(_ *cobra.Command, args []string) error {
				switch {
				case len(args) == 0:
					return fmt.Errorf("%w: name the profile: tokentray secret %s PROFILE", errUsage, name)
				case len(args) > maxArgs:
					return fmt.Errorf("%w: too many arguments: %s", errUsage, strings.Join(args[1:], " "))
				}
				return nil
			},
			RunE: c.run(run),
			ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 { // set-key's FILE
					return nil, cobra.ShellCompDirectiveDefault
				}
				return c.completeProfiles(cmd, args, toComplete)
			},
		}
	}
	cmd.AddCommand(
		sub("set PROFILE", "store the client secret, asked for without echo or read from the first line of standard input", "  printf '%s\\n' \"$SECRET\" | tokentray secret set gw", 1, runSecretSet),
		sub("set-key PROFILE [FILE]", "store a PEM private key (RSA: RS256, EC P-256: ES256) from FILE or standard input", "  tokentray secret set-key oci-jwt oci-key.pem", 2, runSecretSetKey),
		sub("delete PROFILE", "delete the client secret and the private key", "  tokentray secret delete gw", 1, runSecretDelete),
	)
	return cmd
}

func runSecretSet(c *cmdContext) error {
	secret, err := c.askPassword(fmt.Sprintf("Client secret for %s: ", c.args[0]))
	return c.storeSecret("client secret", secret, err, (*apiclient.Client).SetSecret)
}

func runSecretSetKey(c *cmdContext) error {
	pem, err := c.readKey(argAt(c.args, 1))
	return c.storeSecret("private key", pem, err, (*apiclient.Client).SetPrivateKey)
}

// storeSecret hands a secret read (or the error reading it) to the agent
// with send, and says what came of it.
func (c *cmdContext) storeSecret(what, secret string, readErr error, send func(*apiclient.Client, context.Context, string, string) (apiclient.SecretResponse, error)) error {
	if readErr != nil {
		return readErr
	}
	profile := c.args[0]
	res, err := send(c.client(), c.ctx, profile, secret)
	if err != nil {
		return err
	}
	c.printf("Stored the %s of %s in the keyring.\n", what, profile)
	if res.Note != "" {
		c.errorf("Note: %s\n", res.Note)
	}
	if res.Resumed && res.Status != nil {
		c.printf("%s works again without a new login: %s\n", profile, res.Status.Summary(time.Now()))
	}
	return nil
}

func runSecretDelete(c *cmdContext) error {
	profile, cl := c.args[0], c.client()
	if err := cl.DeleteSecret(c.ctx, profile); err != nil {
		return err
	}
	if err := cl.DeletePrivateKey(c.ctx, profile); err != nil {
		return err
	}
	c.printf("Deleted the client secret and private key of %s from the keyring.\n", profile)
	return nil
}

// readKey reads a PEM private key from path, or from standard input when
// path is "" or "-".
func (c *cmdContext) readKey(path string) (string, error) {
	var r io.Reader = c.env.Stdin
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	} else if f, ok := c.env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", fmt.Errorf("%w: give the key file, or pipe it: tokentray secret set-key PROFILE < key.pem", errUsage)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyInput+1))
	if err != nil {
		return "", fmt.Errorf("reading the private key: %w", err)
	}
	if len(b) > maxKeyInput {
		return "", errors.New("the private key is larger than 64 KiB; it is not a PEM private key")
	}
	if !strings.Contains(string(b), "PRIVATE KEY-----") {
		return "", errors.New("that is not a PEM private key (no -----BEGIN … PRIVATE KEY----- line)")
	}
	return string(b), nil
}

// argAt returns args[i], or "" when there are fewer arguments.
func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}
