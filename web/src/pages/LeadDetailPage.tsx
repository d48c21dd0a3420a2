export default function LeadDetailPage() { return <h1>LeadDetail</h1>; }
