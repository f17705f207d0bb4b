/*
 * bcryptprimitives.dll for Wine < 8.13: Go 1.24+ fills its random numbers
 * with ProcessPrng from this DLL, which Wine added in 8.13 (Debian 12 ships
 * 8.0), so every Go program dies at start without it. This stand-in exports
 * ProcessPrng and fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine 8.0 has. Used only by make test-windows,
 * copied into a throwaway Wine prefix; never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
