// Package sales holds the sales-document workflows — invoices (and, as
// they land, quotes and sales orders) — and the one place their money is
// computed. Every exported workflow runs in one transaction; resolvers and
// REST handlers call these and nothing else writes these tables.
//
// Line math (DESIGN §3), per line, in the document currency:
//
//	gross          = round(quantity × unitPrice)
//	discountAmount = round(gross × discountPercent / 100)
//	lineTotal      = gross − discountAmount
//	taxAmount      = round(lineTotal × taxRate / 100)
//
// and per document: subtotal = Σ lineTotal, totalDiscount = Σ
// discountAmount, totalTax = Σ taxAmount, total = subtotal + totalTax +
// shippingCost. round is half away from zero to the currency's minor
// unit. gross is rounded too, so a fractional quantity (1.5 h × 33.33)
// never leaves a sub-cent line total.
package sales
